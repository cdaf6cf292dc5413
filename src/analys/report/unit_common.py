"""What the area report's section *Enheter* and the unit report share.

The words and tints of a unit's quartile colour and trend, the area's KPIs with unit data and
their loading, the source caption, and the small HTML table both products show. All
analysis is in :mod:`analys.stats.units`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML

from analys import captions, data, registry
from analys.chartstyle import caption_text
from analys.format import decimals_for, with_unit
from analys.goals import Area
from analys.report import output
from analys.safe import html_text
from analys.stats import units as U

COLOUR_WORDS = {
    "green": "bästa fjärdedelen",
    "yellow": "mittenhälften",
    "red": "sämsta fjärdedelen",
    "grey": "värde saknas",
    "none": "bedöms inte",
    # a neutral KPI (no better or worse): higher or lower than the other units, as at
    # municipality level (analys.report.COLOUR_WORDS, chartstyle's blue/orange palette)
    "high": "högsta fjärdedelen",
    "middle": "mittenhälften",
    "low": "lägsta fjärdedelen",
}
TREND_ARROWS = {
    "improving": "↑ förbättras",
    "worsening": "↓ försämras",
    "no_change": "→ ingen säker förändring",
    "cannot_calculate": "… kan inte beräknas",
    "neutral": "↕ förändras",
}
TINTS = {
    "green": "#d9f0d3",
    "yellow": "#fff7bc",
    "red": "#fdd0d0",
    "high": "#cfe3f1",
    "low": "#fee4c8",
}
#: the colour legend of the unit tables: judged KPIs, and those without a direction
COLOUR_NOTE = "Färg: kvartil bland landets enheter av samma slag."
NEUTRAL_NOTE = (
    "Nyckeltal utan bättre/sämre riktning färgas blått (högsta fjärdedelen) och orange "
    "(lägsta fjärdedelen), utan värdering."
)


def colour_note(kpis: Sequence[str]) -> str:
    """The colour legend for unit tables of ``kpis`` (the neutral palette when one has it)."""
    if any(registry.polarity(k) == "neutral" and k not in U.SALSA_KPIS for k in kpis):
        return f"{COLOUR_NOTE} {NEUTRAL_NOTE}"
    return COLOUR_NOTE


def area_unit_kpis(area: Area, source: str) -> list[str]:
    """The area's KPIs with unit data (plus the SALSA companions), in the area's order."""
    return U.unit_kpis(area.kpis, data.load_kpis(source))


def caption(source: str, kpis: Sequence[str] = ()) -> None:
    """The credit under a unit table: the own indicators' files when it shows any."""
    if any(str(k).startswith("EGEN-") for k in kpis):
        text = caption_text(source, derived=True, kpis=tuple(kpis))
    else:
        text = captions.source_caption(source, derived=True)
    output.display(
        HTML(f"<p class='analys-caption' style='font-size:0.8em;color:#555'>{html_text(text)}.</p>")
    )


def value_text(kpi: str, value: float) -> str:
    """A unit's value with its unit and decimals, "–" when missing."""
    unit = registry.unit(kpi)
    return with_unit(value, unit, decimals_for(unit, value)) if np.isfinite(value) else "–"


def targets(area: Area) -> dict[str, Any]:
    """KPI → the first total-gender indicator's target."""
    out: dict[str, Any] = {}
    for _, indicator in area.indicators:
        if indicator.gender == "T":
            out.setdefault(indicator.kpi, indicator.target)
    return out


def html_table(rows: list[list[tuple[str, str]]], header: list[str]) -> str:
    """A small HTML table: cells are (text, background colour or "")."""
    head = "".join(f"<th style='text-align:left'>{html_text(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(
            f"<td style='text-align:left;{f'background:{tint};' if tint else ''}'>"
            f"{html_text(text)}</td>"
            for text, tint in row
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        "<table class='analys-units'><thead><tr>"
        + head
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


def column_grid(n: int):
    """One figure with ``n`` full-width panels under each other."""
    figure, axes = plt.subplots(n, 1, figsize=(8, 2.7 * n), layout="constrained", squeeze=False)
    return figure, list(axes.flat)
