"""The ranking chart: bars sorted best to worst, coloured by quartile, the focus highlighted.

All bars are one ``PolyCollection`` (gid :data:`BARS_GID`) carrying the codes and values it
draws, so tests and the explorers read back exactly what is shown
(:func:`analys.testing.drawn_bars`). What it shows is computed once, as :class:`Ranking`
(:func:`ranking_bars`), and drawn on a matplotlib Axes (:func:`draw_ranking`) or, the
report's ranking of every municipality, straight as SVG (:mod:`analys.plots.svg_ranking`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analys import reference, registry
from analys.chartstyle import COLOUR_LABELS, COLOURS, FOCUS, JUDGED, NEUTRAL, RIKET, TITLE_Y
from analys.format import year_text
from analys.frame import reused
from analys.plots.base import (
    by_municipality,
    finish,
    kpi_title,
    new_axes,
    no_data,
    peer_codes,
    select,
    swedish_ticks,
    unit_word,
    value_text,
)
from analys.stats import compare
from analys.vocabulary import sign

BARS_GID = "analys-bars"
FOCUS_BAR_GID = "analys-focus-bar"


def _colours_for(values: pd.Series, municipality: str, polarity: str) -> pd.DataFrame:
    """Quartile colours over the comparison set of ``municipality`` (never Riket or groups)."""
    return _colours_of_type(values, reference.municipality_type(municipality), polarity)


@reused
def _colours_of_type(
    values: pd.Series, municipality_type: str | None, polarity: str
) -> pd.DataFrame:
    """Quartile colours among every code of ``values`` of one type (K, L; ``None``: every
    code but Riket and groups), kept per series while :func:`analys.frame.reusing` holds a memo."""
    codes = reference.of_type(values.index, municipality_type)
    return compare.quartile_colours(values.reindex(codes), polarity)


@dataclass(frozen=True)
class Ranking:
    """What a ranking chart shows, whichever way it is drawn: the bars in drawn order
    (``codes``, ``values``, ``faces``), the focus municipality's place among them
    (``focus_at``) and label, Riket's line, the legend (``(colour, label)`` after the focus
    entry) under its title. ``message`` set means there is nothing to draw."""

    kpi: str
    title: str = ""
    codes: tuple[str, ...] = ()
    values: tuple[float, ...] = ()
    faces: tuple[str, ...] = ()
    municipality: str = ""
    name: str = ""
    focus_at: int | None = None
    focus_text: str = ""
    riket: float | None = None
    riket_label: str = ""
    unit: str = ""
    share: bool = False
    horizontal: bool = False
    legend_title: str = ""
    legend: tuple[tuple[str, str], ...] = ()
    order_text: str = ""
    message: str | None = None

    @property
    def missing(self) -> str:
        """The note of a chart whose municipality has no value."""
        return f"Värde saknas för {self.name}"


def ranking_bars(
    data: pd.DataFrame,
    *,
    kpi: str,
    year: int,
    municipality: str,
    peers: Sequence[str] | None = None,
    gender: str = "T",
    polarity: str | None = None,
    preliminary: int | None = None,
) -> Ranking:
    """What :func:`ranking_chart` draws (its parameters, without the drawing ones)."""
    polarity = polarity or registry.polarity(kpi)
    name = reference.title(municipality)
    values = by_municipality(select(data, kpi=kpi, gender=gender, year=year))
    colours = _colours_for(values, municipality, polarity)
    shown = colours.dropna(subset=["rank"])
    if peers is not None:
        shown = shown.reindex(
            [c for c in [municipality, *peer_codes(peers, municipality)] if c in shown.index]
        )
    if shown.empty:
        return Ranking(kpi, message=f"Inga värden för {registry.label(kpi)} år {year}.")
    s = sign(polarity) or 1
    word = unit_word(municipality)
    count = int(colours["rank"].notna().sum())
    order = (-s * values.reindex(shown.index)).sort_values(kind="stable").index
    heights = values.reindex(order).to_numpy(dtype=float)
    unit = registry.unit(kpi)
    focus_at = focus_text = None
    if municipality in order:
        rank = colours.loc[municipality, "rank"]
        focus_at = int(np.flatnonzero(order == municipality)[0])
        place = f"plats {int(rank)} av {count} {word}"
        if polarity == "neutral":
            place = f"plats {int(rank)} av {count} {word} från högst till lägst"
        focus_text = f"{value_text(values[municipality], unit)} ({place})"
    riket = values.get(reference.RIKET, np.nan)
    present = set(shown["colour"])
    return Ranking(
        kpi,
        title=f"{kpi_title(kpi, gender)}, {year_text(year, preliminary)}",
        codes=tuple(order),
        values=tuple(heights.tolist()),
        faces=tuple(COLOURS[shown.loc[c, "colour"]] for c in order),
        municipality=municipality,
        name=name,
        focus_at=focus_at,
        focus_text=focus_text or "",
        riket=None if pd.isna(riket) else float(riket),
        riket_label="" if pd.isna(riket) else f"Riket {value_text(riket, unit)}",
        unit=unit or "",
        share=unit == "%" and np.nanmax(heights) <= 100,  # a share: no tick above 100 %
        horizontal=peers is not None,
        legend_title=f"Färg: kvartil bland alla\n{count} {word} med värde",
        legend=tuple(
            (COLOURS[c], COLOUR_LABELS[c]) for c in (*JUDGED, *NEUTRAL[:-1]) if c in present
        ),
        order_text=_order_text(polarity, count, word),
    )


def ranking_chart(
    data: pd.DataFrame,
    *,
    kpi: str,
    year: int,
    municipality: str,
    peers: Sequence[str] | None = None,
    gender: str = "T",
    polarity: str | None = None,
    source: str = "demo",
    preliminary: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Bars sorted best to worst, coloured by quartile, the focus municipality highlighted.

    A neutral KPI is sorted highest to lowest and coloured higher/middle/lower in a palette
    without a value judgement (blue/orange, never green or red).

    Parameters
    ----------
    data : DataFrame
        A values frame.
    kpi : str
    year : int
    municipality : str
        The focus municipality: outlined and labelled with its name, value and rank.
    peers : sequence of str, optional
        Show only the peers and the focus municipality (horizontal bars with names); all
        municipalities of the same type when ``None``.
    gender : {"T", "K", "M"}
    polarity : {"higher", "lower", "neutral"}, optional
        Default from the KPI registry.
    source : {"demo", "kolada", "store"}
    preliminary : int, optional
        Kolada's preliminary year: the title then reads "2025*".
    ax : Axes, optional

    Returns
    -------
    Axes
        The group the colours and the rank come from is named: the legend's title reads
        "Färg: kvartil bland alla 276 kommuner med värde" and the focus label "plats 9 av 276
        kommuner" (regioner for a region). The bars are one collection (read them with :func:`analys.testing.drawn_bars`). Colours are
        :func:`analys.stats.compare.quartile_colours` computed over all municipalities of the same
        type (K or L; never Riket or groups), whichever bars are shown; Riket is a line.
    """
    ranking = ranking_bars(
        data,
        kpi=kpi,
        year=year,
        municipality=municipality,
        peers=peers,
        gender=gender,
        polarity=polarity,
        preliminary=preliminary,
    )
    ax = new_axes(ax, (7, 4) if peers is None else (7, 0.8 + 0.3 * (len(peers) + 1)))
    return draw_ranking(ax, ranking, source=source)


def draw_ranking(ax: Axes, ranking: Ranking, *, source: str) -> Axes:
    """Draw ``ranking`` on ``ax``."""
    if ranking.message is not None:
        return no_data(ax, ranking.message, source)
    horizontal = ranking.horizontal
    positions = np.arange(len(ranking.codes))
    codes = list(ranking.codes)
    _draw_bars(
        ax, positions, ranking.values, list(ranking.faces), codes, ranking.municipality, horizontal
    )
    if ranking.riket is not None:
        line = ax.axvline if horizontal else ax.axhline
        line(ranking.riket, color=RIKET, ls="--", lw=1.3, label=ranking.riket_label)
    swedish_ticks(
        ax.xaxis if horizontal else ax.yaxis,
        bins=5 if horizontal else None,
        most=100 if ranking.share else None,
    )
    if horizontal:
        ax.set_yticks(positions, [reference.title(c) for c in codes], fontsize=8)
        for tick, code in zip(ax.get_yticklabels(), codes, strict=True):
            if code == ranking.municipality:
                tick.set_fontweight("bold")
        ax.invert_yaxis()
        ax.set_xlabel(ranking.unit)
    else:
        ax.set_xticks([])
        ax.set_xlim(-1, len(codes))
        ax.set_ylabel(ranking.unit)
        ax.set_xlabel(ranking.order_text)
    if ranking.focus_at is not None:
        at = ranking.focus_at
        value = ranking.values[at]
        _focus_label(ax, at, len(codes), value, ranking.name, ranking.focus_text, horizontal)
    else:
        ax.text(
            0.5,
            0.95,
            ranking.missing,
            transform=ax.transAxes,
            ha="center",
            va="top",
            fontsize=9,
            color=FOCUS,
        )
    handles = [Patch(facecolor="white", edgecolor=FOCUS, lw=2, label=ranking.name)]
    handles += [Patch(color=colour, label=label) for colour, label in ranking.legend]
    handles += [h for h in ax.get_legend_handles_labels()[0] if isinstance(h, Line2D)]
    legend = ax.legend(
        handles=handles,
        fontsize=7,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        title=ranking.legend_title,
        title_fontsize=7,
        alignment="left",
    )
    legend.set_gid("analys-ranking-legend")
    ax.set_title(ranking.title, loc="left", y=TITLE_Y, fontsize=11)
    return finish(ax, source, derived=True, kpis=(ranking.kpi,))


def _draw_bars(
    ax: Axes,
    positions: np.ndarray,
    heights: np.ndarray,
    faces: list[str],
    codes: list[str],
    focus: str,
    horizontal: bool,
) -> None:
    """All bars as ONE collection (290 separate patches draw four times slower), plus the
    focus bar's outline on top. :func:`analys.testing.drawn_bars` reads them back."""
    half = 0.35 if horizontal else 0.45
    heights = np.asarray(heights, dtype=float)
    low, high = positions - half, positions + half
    zeros = np.zeros_like(heights)
    corners = [(low, zeros), (low, heights), (high, heights), (high, zeros)]
    if horizontal:
        corners = [(h, p) for p, h in corners]
    vertices = np.stack([np.column_stack(c) for c in corners], axis=1)
    bars = PolyCollection(vertices, facecolors=faces, edgecolors="none", gid=BARS_GID)
    bars.analys_codes = tuple(codes)
    bars.analys_values = tuple(float(h) for h in heights)
    (bars.sticky_edges.x if horizontal else bars.sticky_edges.y).append(0.0)
    ax.add_collection(bars)
    ax.autoscale_view()
    if focus in codes:
        outline = PolyCollection(
            [vertices[codes.index(focus)]],
            facecolors="none",
            edgecolors=FOCUS,
            linewidths=2.0,
            gid=FOCUS_BAR_GID,
        )
        outline.analys_codes = (focus,)
        ax.add_collection(outline, autolim=False)


def _order_text(polarity: str, count: int | None = None, word: str = "kommuner") -> str:
    """The x axis of the vertical ranking: which units, in which order."""
    who = f"Alla {count} {word} med värde" if count else word.capitalize()
    if polarity == "neutral":
        return f"{who}, sorterade från högst till lägst värde"
    return f"{who}, sorterade från bäst till sämst"


#: characters of the focus label on one line; a longer one breaks before its rank
FOCUS_LABEL_LINE = 60


def focus_label_place(at: int, count: int, label: str) -> tuple[float, str, str]:
    """Where the focus label of a vertical ranking goes, as a share of the Axes' width, its
    alignment and its text. It stays inside the Axes (a centred label beside a bar near
    the end ran over the legend): from near a bar in the first or last third towards the
    middle, else centred; a long one on two lines."""
    where = (at + 1) / (count + 1)
    if where < 1 / 3:
        x, ha = max(where - 0.1, 0.01), "left"
    elif where > 2 / 3:
        x, ha = min(where + 0.1, 0.99), "right"
    else:
        x, ha = 0.5, "center"
    if len(label) > FOCUS_LABEL_LINE:
        label = label.replace(" (plats ", "\n(plats ", 1)
    return x, ha, label


def _focus_label(
    ax: Axes, at: int, count: int, value: float, name: str, text: str, horizontal: bool
) -> None:
    """Label the focus bar: beside it (horizontal bars) or in the headroom above all bars."""
    if horizontal:
        ax.margins(x=0.6)  # room for the label beside the longest bar
        ax.annotate(
            text,
            xy=(value, at),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=FOCUS,
            fontweight="bold",
        )
        return
    ax.margins(y=0.3)
    x, ha, label = focus_label_place(at, count, f"{name} {text}")
    ax.annotate(
        label,
        xy=(at, value),
        xytext=(x, 0.95),
        textcoords="axes fraction",
        ha=ha,
        va="top",
        fontsize=8,
        color=FOCUS,
        fontweight="bold",
        arrowprops={"arrowstyle": "->", "color": FOCUS, "lw": 1},
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": FOCUS, "lw": 0.6},
    )
