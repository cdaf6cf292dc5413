"""The section *Enheter* of the area report (``notebooks/omrade.ipynb``).

Called by :meth:`analys.report.Report.units`: when the area has KPIs with unit data, a table
of the municipality's units (value and quartile colour per KPI, trend, SALSA deviation for
schools), short sentences on the units that stand out, the spread between the best and the
worst unit, and the units against the national distribution (seaborn). All analysis is in
:mod:`analys.stats.units`; this module only loads and shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from IPython.display import HTML

from analys import plots, registry
from analys.errors import AnalysError
from analys.format import difference_unit, join_and, number, with_unit, year_text
from analys.frame import reused
from analys.goals import Area
from analys.kolada.ou_ids import SCHOOLS, activity_title, unit_count
from analys.report import output
from analys.report.unit_common import (
    COLOUR_WORDS,
    TINTS,
    TREND_ARROWS,
    area_unit_kpis,
    caption,
    colour_note,
    html_table,
    targets,
    value_text,
)
from analys.safe import Markdown
from analys.stats import salsa as salsa_mod
from analys.stats import units as U
from analys.vocabulary import in_place


def units_section(report: Any) -> None:
    """The *Enheter* section of the area report (nothing when the area has no unit KPIs)."""
    area: Area = report.area
    kpis = area_unit_kpis(area, report.source)
    if not kpis:
        return
    output.display(Markdown("## 8. Enheter"))
    try:
        catalogue, values = report.unit_data(kpis)
    except AnalysError as error:
        output.display(Markdown(f"Enhetsdata saknas: {error}"))
        return
    municipality = report.municipality
    own_units = _of_municipality(catalogue, municipality)
    # the SALSA figures have their own column and paragraph (and must not be ranked)
    shown = [k for k in kpis if k not in U.SALSA_KPIS]
    year = report.year
    tables = {}
    # each KPI's rows picked out once: every step below filters by KPI, and a filter of the
    # whole frame (its string columns) costs as much as the step
    parts = {kpi: _kpi_part(values, kpi) for kpi in shown}
    for kpi in shown:
        part = parts[kpi]
        wanted = year if year and (part["year"] == year).any() else None
        judged = int(wanted or part["year"].max()) if not part.empty else 0
        table = U.unit_table(
            part,
            catalogue,
            kpi,
            municipality,
            wanted,
            target=targets(area).get(kpi),
            # every unit of the country judged once per batch (fulfilment.country)
            national=report.national_units(kpi, judged),
        )
        if not table.empty:
            tables[kpi] = table
    if not tables:
        output.display(
            Markdown(
                f"{report.place} har inga enheter med värden för områdets nyckeltal på enhetsnivå."
            )
        )
        return
    kinds = sorted({a for t in tables.values() for a in t["activity"]})
    counts = []
    for kind in kinds:  # registered, and how many of them the tables and charts can show
        registered = int((own_units["activity"] == kind).sum())
        shown = len({ou for t in tables.values() for ou in t.loc[t["activity"] == kind, "ou"]})
        text = unit_count(registered, kind)
        if 0 < shown < registered:
            text += f" (varav {shown} med värden för områdets nyckeltal)"
        counts.append(text)
    names = join_and(counts)
    counted = "elever" if set(kinds) <= set(SCHOOLS) else "personer"
    alone = len(own_units) == 1  # nothing else of the municipality's to compare with
    others = "" if alone else " och med kommunens övriga"
    output.display(
        Markdown(
            f"{report.place} har {names} i Koladas enhetsregister. Varje enhet jämförs med "
            "alla enheter av samma slag "
            f"{'i landet' if report.demo else 'i underlaget (de kommuner som hämtats)'}"
            f"{others}. Små enheter (underlag från färre än {U.SMALL_UNIT} {counted}) "
            "bedöms på medelvärdet av tre år och aldrig på ett enda år."
        )
    )
    lines = []
    for kpi, table in tables.items():
        lines += U.standouts(table, registry.label(kpi))
        change = U.spread_change(U.spread(parts[kpi], kpi, municipality))
        ends = "högsta och lägsta" if registry.polarity(kpi) == "neutral" else "bästa och sämsta"
        if change:
            unit = difference_unit(registry.unit(kpi))
            word = (
                "ökat"
                if change["range_change"] > 0
                else "minskat"
                if change["range_change"] < 0
                else "är oförändrad"
            )
            lines.append(
                f"{registry.label(kpi)}: skillnaden mellan {ends} enhet är "
                f"{with_unit(change['range_latest'], unit)} "
                f"({year_text(change['latest_year'], report.preliminary)}); "
                f"den har {word} från {with_unit(change['range_first'], unit)} "
                f"({year_text(change['first_year'], report.preliminary)})."
                if word != "är oförändrad"
                else f"{registry.label(kpi)}: skillnaden mellan {ends} enhet "
                f"{word} sedan {change['first_year']}."
            )
    if lines:
        output.display(Markdown("\n".join(f"- {line}" for line in lines)))
    for kind in kinds:
        _activity_table(report, kind, tables, values, catalogue)
    strips = [
        plots.unit_strip(
            parts[kpi],
            kpi=kpi,
            municipality=municipality,
            units=catalogue,
            year=int(tables[kpi]["year"].iloc[0]),
            table=tables[kpi],
            preliminary=report.preliminary,
        )
        for kpi in tables
    ]
    output.show_figure(plots.unit_strips_svg(strips, source=report.source))
    if U.SALSA_DEVIATION in kpis:
        _salsa(values, catalogue, municipality, report.source, report.preliminary)


@reused
def _of_municipality(catalogue: pd.DataFrame, municipality: str) -> pd.DataFrame:
    """The catalogue's units of ``municipality`` (kept for a batch: :func:`reused`)."""
    return catalogue[catalogue["municipality"] == municipality]


@reused
def _kpi_part(values: pd.DataFrame, kpi: str) -> pd.DataFrame:
    """The unit values of ``kpi``: the same frame for each report of a batch, so that what
    the unit table and chart compute from it country-wide is kept (:func:`reused`)."""
    return values[values["kpi"] == kpi]


@reused
def _titles(catalogue: pd.DataFrame) -> pd.Series:
    """Each unit's title by its id (kept for a batch: :func:`reused`)."""
    return catalogue.set_index("id")["title"]


def distinct_titles(ids: Sequence[str], titles: pd.Series) -> dict[str, str]:
    """Each unit's title, with its Kolada id added where two of ``ids`` share a title
    (Kolada has e.g. two "Pjäsen 3" in one municipality): "Pjäsen 3 (V23E098000123)"."""
    named = {ou: str(titles.get(ou, ou)) for ou in ids}
    counts = pd.Series(list(named.values())).value_counts()
    return {ou: f"{t} ({ou})" if counts[t] > 1 else t for ou, t in named.items()}


def _activity_table(
    report: Any,
    kind: str,
    tables: Mapping[str, pd.DataFrame],
    values: pd.DataFrame,
    catalogue: pd.DataFrame,
) -> None:
    mine = {k: t[t["activity"] == kind].set_index("ou") for k, t in tables.items()}
    mine = {k: t for k, t in mine.items() if not t.empty}
    if not mine:
        return
    titles = _titles(catalogue)
    wanted = {o for t in mine.values() for o in t.index}
    ids = sorted(wanted, key=lambda o: (str(titles.get(o, o)).lower(), o))
    first = next(iter(mine))
    salsa = pd.DataFrame()
    if kind == "V15":
        salsa = salsa_mod.salsa_table(values, catalogue, report.municipality).set_index("ou")
    header = ["Enhet", *[registry.label(k) for k in mine], f"Trend ({registry.label(first)})"]
    if not salsa.empty:  # its own year, the municipality's latest with SALSA values
        salsa_year = year_text(int(salsa["year"].iloc[0]), report.preliminary)
        header.append(f"SALSA-avvikelse {salsa_year} (medel 3 år)")
    names = distinct_titles(ids, titles)
    # each table's rows as plain records: a row of a table cell by cell (``.loc``) for every
    # unit cost more than all the rest of the table
    cells = {
        k: t[["judged_value", "basis", "small", "colour"]].to_dict("index") for k, t in mine.items()
    }
    trends = mine[first]["trend"].to_dict()
    readings = salsa[["deviation_mean", "reading"]].to_dict("index") if not salsa.empty else {}
    rows = []
    for ou in ids:
        row = [(names[ou], "")]
        for kpi, records in cells.items():
            r = records.get(ou)
            if r is None:
                row.append(("–", ""))
                continue
            text = value_text(kpi, float(r["judged_value"])) if r["basis"] != "–" else "–"
            if r["small"]:
                text += " *"
            row.append((f"{text} ({COLOUR_WORDS[r['colour']]})", TINTS.get(r["colour"], "")))
        trend = trends.get(ou, "cannot_calculate")
        row.append((TREND_ARROWS.get(trend, trend), ""))
        if not salsa.empty:
            s = readings.get(ou)
            if s is not None:
                sign = "+" if s["deviation_mean"] > 0 else ""
                row.append((f"{sign}{number(s['deviation_mean'], 1)} ({s['reading']})", ""))
            else:
                row.append(("–", ""))
        rows.append(row)
    year = int(next(iter(mine.values()))["year"].iloc[0])
    output.display(
        Markdown(
            f"**{activity_title(kind)} {in_place(report.place)} "
            f"{year_text(year, report.preliminary)}**"
        )
    )
    output.display(HTML(html_table(rows, header)))
    output.display(
        Markdown(
            f"{colour_note(list(mine))} * liten enhet: medelvärdet av de tre senaste åren "
            "visas och bedöms."
        )
    )
    caption(report.source, list(mine))


def _salsa(
    values: pd.DataFrame,
    catalogue: pd.DataFrame,
    municipality: str,
    source: str,
    preliminary: int | None,
) -> None:
    table = salsa_mod.salsa_table(values, catalogue, municipality)
    if table.empty:
        return
    counts = table["reading"].value_counts()
    over, under = counts.get("över förväntan", 0), counts.get("under förväntan", 0)
    unsure = counts.get("osäkert", 0)
    output.display(
        Markdown(
            f"**SALSA, meritvärde åk 9 ({year_text(int(table['year'].iloc[0]), preliminary)}).** "
            f"{over} {'skola ligger' if over == 1 else 'skolor ligger'} över och "
            f"{under} under vad elevernas bakgrund ger anledning "
            f"att vänta (medel av tre år, mer än ±{number(salsa_mod.SALSA_MARGIN, 0)} poäng); "
            f"{unsure} {'är för osäker' if unsure == 1 else 'är för osäkra'} att läsa. "
            f"*{salsa_mod.SALSA_CAUTION}* "
            "Skolorna står därför i bokstavsordning."
        )
    )
    caption(source)
