"""What the goal builder's preview shows: the status of each goal and indicator now and in
the last five years, the values behind them and how many units would meet each target.

Pure functions of a :class:`analys.fulfilment.preview.Preview`;
:class:`~analys.widgets.GoalBuilder` calls them on every valid change.
"""

from __future__ import annotations

import pandas as pd

from analys import captions, reference, safe
from analys.format import decimals_for, with_unit
from analys.fulfilment import STATUS_LABELS
from analys.fulfilment import preview as goal_preview
from analys.goals import Area
from analys.own import store as own_store

STATUS_COLOURS = {
    "met": "#d9f0d3",
    "partly": "#fff3bf",
    "not_met": "#f8d0d0",
    "no_data": "#eeeeee",
}


def preview_table(preview: goal_preview.Preview) -> pd.DataFrame:
    """The preview's indicator table in Swedish, as shown."""
    rows = preview.indicators
    return pd.DataFrame(
        {
            "Mål": rows["goal"],
            "Indikator": rows["label"],
            "År": ["–" if pd.isna(y) else int(y) for y in rows["year"]],
            "Värde": [
                with_unit(v, u or None, decimals_for(u or None, v))
                for v, u in zip(rows["value"], rows["unit"], strict=True)
            ],
            "Målvärde": rows["target_text"],
            "Status": rows["status"].map(STATUS_LABELS),
            "De senaste fem åren": rows["history"],
            "Når målet": [
                f"{m} av {n}" if n else "–"
                for m, n in zip(rows["meeting"], rows["with_value"], strict=True)
            ],
        }
    )


def preview_html(preview: goal_preview.Preview, table: pd.DataFrame, code: str, area: Area) -> str:
    """The preview as HTML: each goal's status and history, the indicator table, the credit."""
    units = "regioner" if area.municipality_type == "L" else "kommuner"
    goals = "".join(
        f"<li><span style='background:{STATUS_COLOURS[r.status]};padding:0 4px'>"
        f"{safe.html_text(STATUS_LABELS[r.status])}</span> {safe.html_text(r.title)} – "
        f"{safe.html_text(r.history)}</li>"
        for r in preview.goals.itertuples()
    )
    head = "".join(f"<th style='text-align:left'>{safe.html_text(c)}</th>" for c in table.columns)
    body = []
    for status, row in zip(
        preview.indicators["status"], table.itertuples(index=False), strict=True
    ):
        cells = "".join(
            f"<td style='{'background:' + STATUS_COLOURS[status] if name == 'Status' else ''}'>"
            f"{safe.html_text(str(value))}</td>"
            for name, value in zip(table.columns, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    years = preview.years
    span = f"{years[0]}–{years[-1]}" if years else "–"
    return (
        f"<div><b>{safe.html_text(reference.title(code))}</b>: målens status senaste året och "
        f"åren {span}.</div><ul>{goals}</ul>"
        f"<table style='border-collapse:collapse;font-size:12px'><tr>{head}</tr>"
        f"{''.join(body)}</table>"
        f"<div style='font-size:11px;color:#555'>Når målet: hur många {units} med värde som "
        "skulle nå samma målvärde samma år (förändringsmål: jämfört med sitt eget basår). "
        f"{safe.html_text(credit(area))}</div>"
    )


def credit(area: Area) -> str:
    """The preview's attribution: ours, Kolada's and the own files', the demo notice."""
    text = f"{captions.DERIVED_CREDIT}."
    own = own_store.credit_line(area.kpis, area.source)
    if own:
        text += f" {own}"
    return f"{text} {captions.DEMO}." if area.source == "demo" else text
