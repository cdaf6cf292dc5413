"""The spine chart of an area's indicators (Fingertips' ``spine_rescaler``).

The method is docs/methods.md#spine-chart.

Public through :mod:`analys.plots` as ``spine_chart``. What it shows is computed once, as
:class:`Spine` (:func:`spine_rows`), and drawn on a matplotlib Axes (:func:`draw_spine`) or
straight as SVG (:mod:`analys.plots.svg_spine`, for the reports).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analys import reference, registry
from analys.chartstyle import (
    BAND,
    COLOUR_LABELS,
    COLOURS,
    PEERS,
    RIKET,
    STATUS_COLOURS,
    TITLE_Y,
)
from analys.format import year_text
from analys.frame import reused
from analys.plots.base import (
    by_municipality,
    finish,
    new_axes,
    no_data,
    quantiles,
    select,
    unit_word,
    value_text,
    wrap,
)
from analys.stats import compare
from analys.vocabulary import STATUS_LABELS


def _spine_row(part: pd.DataFrame, municipality: str, year: int | None) -> dict | None:
    """The M9 scaling of one KPI: centre, half-width and the raw points to place; in
    ``year``, or else the latest year with a value of ``municipality`` (of anyone when it
    has none)."""
    latest, overall = _latest_years(part)
    if overall is None:
        return None
    if year is None:
        year = latest.get(municipality, overall)
    return _spine_scaling(part, reference.municipality_type(municipality), int(year))


@reused
def _latest_years(part: pd.DataFrame) -> tuple[dict[str, int], int | None]:
    """Each code's latest year with a value, and the latest of all (``None``: no value)."""
    present = part.dropna(subset=["value"])
    if present.empty:
        return {}, None
    latest = present.groupby("municipality", sort=False)["year"].max()
    return {str(k): int(v) for k, v in latest.items()}, int(present["year"].max())


@reused
def _spine_scaling(part: pd.DataFrame, municipality_type: str | None, year: int) -> dict | None:
    """:func:`_spine_row` for every unit of one type in one year (the same for each of them:
    kept per frame while :func:`analys.frame.reusing` holds a memo)."""
    values = by_municipality(part[part["year"] == year])
    pool = values.reindex(reference.of_type(values.index, municipality_type)).dropna()
    if pool.empty:
        return None
    low, q1, median, q3, high = quantiles(pool)
    riket = values.get(reference.RIKET, np.nan)
    centre = float(riket) if not pd.isna(riket) else median
    half = max(centre - low, high - centre)
    return {
        "year": year,
        "values": values,
        "pool": pool,
        "centre": centre,
        "half": half if half > 0 else 1.0,
        "points": (low, q1, q3, high),
        "riket": not pd.isna(riket),
    }


@dataclass(frozen=True)
class SpineRow:
    """One KPI's row: its label, bands and marker on the [0, 1] scale (M9), and the note at
    the right ("249,7 poäng (2025*)"). ``missing``: no values to compare, "Data saknas"."""

    kpi: str
    label: str
    bands: tuple[tuple[float, float, str], ...] = ()
    marker: float | None = None
    colour: str | None = None
    note: str = ""
    neutral: bool = False
    missing: bool = False


@dataclass(frozen=True)
class Spine:
    """What a spine chart shows, whichever way it is drawn: its rows top to bottom and its
    legend entries ``(kind, colour, label)``, kind ``band``, ``riket``, ``marker`` or
    ``row``, in ``columns`` columns. ``message`` set means there is nothing to draw."""

    title: str = ""
    name: str = ""
    rows: tuple[SpineRow, ...] = ()
    legend: tuple[tuple[str, str, str], ...] = ()
    columns: int = 4
    neutral: bool = False
    kpis: tuple[str, ...] = ()
    message: str | None = None


def spine_rows(
    data: pd.DataFrame,
    *,
    kpis: Sequence[str],
    municipality: str,
    year: int | None = None,
    statuses: pd.Series | None = None,
    gender: str = "T",
    preliminary: int | None = None,
) -> Spine:
    """What :func:`spine_chart` draws (its parameters, without the drawing ones)."""
    kpis = list(kpis)
    name = reference.title(municipality)
    found = [_spine_row(select(data, kpi=k, gender=gender), municipality, year) for k in kpis]
    if all(row is None for row in found):
        return Spine(name=name, kpis=tuple(kpis), message=f"Inga värden att jämföra för {name}.")
    rows = []
    for kpi, row in zip(kpis, found, strict=True):
        label = wrap(registry.label(kpi), 40)
        neutral = registry.polarity(kpi) == "neutral"
        if row is None:
            rows.append(SpineRow(kpi, label, neutral=False, missing=True))
            continue
        scale = _spine_scale(row, registry.polarity(kpi) == "lower")
        edges = sorted(scale(p) for p in row["points"])
        bands = tuple(
            (left, right, colour)
            for left, right, colour in zip(edges, edges[1:], (BAND, PEERS, BAND), strict=False)
        )
        value = row["values"].get(municipality, np.nan)
        shown = year_text(row["year"], preliminary) if not pd.isna(row["year"]) else "–"
        note = f"{value_text(value, registry.unit(kpi))} ({shown})"
        if neutral:
            note += ", ingen riktning"
        if not row["riket"]:
            note += ", mitten = median"
        marker = colour = None
        if not pd.isna(value):
            colour = _marker_colour(kpi, row, municipality, statuses)
            marker = float(np.clip(scale(float(value)), 0.0, 1.0))
        rows.append(SpineRow(kpi, label, bands, marker, colour, note, neutral))
    neutral = any(registry.polarity(k) == "neutral" for k in kpis)
    return Spine(
        title=f"{name} jämfört med alla {unit_word(municipality)}na och riket",
        name=name,
        rows=tuple(rows),
        legend=tuple(_spine_legend(name, statuses, unit_word(municipality), neutral=neutral)),
        # with rows without a direction: three columns, the comparison, the judged colours
        # and the neutral colours, filled top to bottom
        columns=3 if neutral else 4,
        neutral=neutral,
        kpis=tuple(kpis),
    )


def spine_chart(
    data: pd.DataFrame,
    *,
    kpis: Sequence[str],
    municipality: str,
    year: int | None = None,
    statuses: pd.Series | None = None,
    gender: str = "T",
    source: str = "demo",
    preliminary: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Spine chart of an area's indicators: Riket centred, worst on the left.

    The method is docs/methods.md#spine-chart.

    Per KPI the axis ``[M − h, M + h]`` with ``M`` Riket's value and
    ``h = max(M − min, max − M)`` over the municipalities of the same type is scaled to
    [0, 1] (flipped for lower-is-better KPIs), with bands min–Q1, Q1–Q3 and Q3–max (numpy
    linear quantiles). Where Riket has no value the median of the municipalities is centred.

    Parameters
    ----------
    data : DataFrame
        A values frame with all municipalities of the type and Riket.
    kpis : sequence of str
        One row per KPI, top to bottom; row labels are the registry labels.
    municipality : str
        The focus municipality, drawn as the marker.
    year : int, optional
        Default: per KPI the latest year with a value for the municipality (or any value).
    statuses : Series, optional
        KPI id → ``met``/``partly``/``not_met``/``no_data``; the marker's colour
        (``STATUS_COLOURS``). Default: the municipality's quartile colour. A KPI without a
        direction (polarity ``neutral``) always has its neutral quartile colour (higher,
        middle, lower), on a grey row with its own "← lägre"/"högre →" ends: the axis'
        "Sämre … Bättre" is for the other rows, as a note under it says.
    gender : {"T", "K", "M"}
    source : {"demo", "kolada", "store"}
    preliminary : int, optional
        Kolada's preliminary year: written "2025*" where the chart names it.
    ax : Axes, optional

    Returns
    -------
    Axes
        The marker of each KPI has the ``gid`` ``marker-<kpi>`` and its bands ``band-<kpi>``;
        the municipality's value and year are written at the right.
    """
    spine = spine_rows(
        data,
        kpis=kpis,
        municipality=municipality,
        year=year,
        statuses=statuses,
        gender=gender,
        preliminary=preliminary,
    )
    ax = new_axes(ax, (8, 0.9 + 0.55 * max(len(spine.kpis), 1)))
    return draw_spine(ax, spine, source=source)


def draw_spine(ax: Axes, spine: Spine, *, source: str) -> Axes:
    """Draw ``spine`` on ``ax``."""
    if spine.message is not None:
        return no_data(ax, spine.message, source)
    for y, row in enumerate(spine.rows):
        if row.missing:
            ax.text(0.5, y, "Data saknas", ha="center", va="center", fontsize=8, color=RIKET)
            continue
        for left, right, colour in row.bands:
            ax.barh(
                y,
                right - left,
                left=left,
                height=0.6,
                color=colour,
                alpha=0.7,
                lw=0,
                gid=f"band-{row.kpi}",
            )
        if row.neutral:
            _neutral_row(ax, row.kpi, y)
        ax.text(1.03, y, row.note, transform=ax.get_yaxis_transform(), va="center", fontsize=8)
        if row.marker is None:
            continue
        ax.plot(
            row.marker,
            y,
            marker="o",
            ms=9,
            color=row.colour,
            mec="black",
            mew=0.8,
            zorder=5,
            gid=f"marker-{row.kpi}",
        )
    ax.axvline(0.5, color=RIKET, ls="--", lw=1.2)
    count = len(spine.rows)
    ax.set_yticks(range(count), [row.label for row in spine.rows], fontsize=8)
    ax.set_ylim(count - 0.5, -0.5)
    ax.set_xlim(-0.02, 1.02)
    ax.set_xticks([0, 0.5, 1], list(AXIS_WORDS), fontsize=8)
    ax.tick_params(axis="x", length=0)
    ax.legend(
        handles=[_handle(*entry) for entry in spine.legend],
        fontsize=7,
        frameon=False,
        # ending where the Axes ends: it reaches left over the rows' names, never past the
        # figure (from the Axes' left edge, after those names, it ran past the right one)
        loc="lower right",
        bbox_to_anchor=(1, 1.01),
        ncol=spine.columns,
    )
    ax.set_title(
        spine.title,
        loc="left",
        y=TITLE_Y,
        fontsize=11,
        pad=12 + 11 * -(-len(spine.legend) // spine.columns),  # above the legend's rows
    )
    finish(ax, source, derived=True, kpis=spine.kpis)
    if spine.neutral:  # the axis' words judge the white rows only
        ax.set_xlabel(NEUTRAL_NOTE, fontsize=7, color=RIKET, labelpad=2)
    return ax


#: the words under the spine's axis: worst, Riket (the middle), best
AXIS_WORDS = ("← Sämre", "Riket", "Bättre →")


def _handle(kind: str, colour: str, label: str):
    """A legend entry as a matplotlib handle."""
    if kind == "band":
        return Patch(color=colour, alpha=0.7, label=label)
    if kind == "riket":
        return Line2D([], [], color=colour, ls="--", label=label)
    if kind == "marker":
        return Line2D([], [], marker="o", ls="", color=colour, mec="black", label=label)
    return Patch(color=colour, label=label)


#: under the axis of a chart with rows of KPIs without a direction (grey rows)
NEUTRAL_NOTE = "Sämre/bättre gäller inte de grå raderna: de har ingen riktning (lägre ← → högre)"
#: the background of a row without a direction
NEUTRAL_BAND = "#eeeeee"


def _neutral_row(ax: Axes, kpi: str, y: int) -> None:
    """Set a KPI without a direction apart: a grey background and its own ends, "← lägre"
    and "högre →", since its row reads lower to higher, not worse to better."""
    ax.axhspan(y - 0.5, y + 0.5, color=NEUTRAL_BAND, lw=0, zorder=0, gid=f"neutral-{kpi}")
    for x, word, ha in ((0.0, "← lägre", "left"), (1.0, "högre →", "right")):
        ax.text(x, y - 0.32, word, ha=ha, va="bottom", fontsize=6.5, color=RIKET, gid=f"ends-{kpi}")


def _spine_scale(row: dict, flip: bool) -> Callable[[float], float]:
    low = row["centre"] - row["half"]
    width = 2 * row["half"]

    def scale(x: float) -> float:
        scaled = (x - low) / width
        return 1.0 - scaled if flip else scaled

    return scale


def _marker_colour(kpi: str, row: dict, municipality: str, statuses: pd.Series | None) -> str:
    """The status colour, or the quartile colour; a KPI without a direction always gets its
    neutral quartile colour (higher, middle, lower), never a judging red, yellow or green,
    even when its target has a status (the goal table says that)."""
    if statuses is not None and registry.polarity(kpi) != "neutral":
        status = statuses.get(kpi, "no_data")
        return STATUS_COLOURS.get(status if isinstance(status, str) else "no_data", "#000000")
    colours = compare.quartile_colours(
        row["values"].reindex(row["pool"].index), registry.polarity(kpi)
    )
    colour = colours["colour"].get(municipality, "grey")
    return COLOURS[colour]


def _spine_legend(
    name: str, statuses: pd.Series | None, unit_word: str = "kommuner", *, neutral: bool = False
) -> list[tuple[str, str, str]]:
    """The legend: the bands, Riket and the municipality; the status or quartile colours;
    with ``neutral`` rows also the neutral colours and the grey row (in that order), as
    ``(kind, colour, label)``."""
    if statuses is not None:
        judged = [(STATUS_COLOURS[k], text) for k, text in STATUS_LABELS.items()]
    else:
        judged = [(COLOURS[c], COLOUR_LABELS[c]) for c in ("green", "yellow", "red", "none")]
    # a neutral KPI's marker is higher/middle/lower, never better or worse
    neutrals = [(COLOURS[c], COLOUR_LABELS[c]) for c in ("high", "middle", "low")]
    entries = [
        ("band", BAND, f"{unit_word.capitalize()}nas spridning (min–max)"),
        ("band", PEERS, "Mittersta hälften (25–75 %)"),
        ("riket", RIKET, "Riket (mitten)"),
        ("marker", "white", name),
    ]
    entries += [
        ("marker", colour, text) for colour, text in (*judged, *(neutrals if neutral else ()))
    ]
    if neutral:
        entries.append(("row", NEUTRAL_BAND, "Grå rad: ingen riktning"))
    return entries
