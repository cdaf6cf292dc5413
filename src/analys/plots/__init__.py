"""Charts with Swedish labels and source captions, the seaborn way.

Every function takes tidy data (a values frame or a result table) plus column and selection
keywords, draws on ``ax`` (a new figure when ``None``) and returns the Axes. Every chart carries
the source caption (and the demo watermark on demo data) through
:func:`analys.chartstyle.annotate_source`; colours come from :mod:`analys.chartstyle`. Rules
behind what is drawn: docs/methods.md#quartile-colours, docs/methods.md#expected-values and
docs/methods.md#spine-chart. Trend, ranking and gender-gap charts are drawn here; the others
live in private modules (``plotting_spine``, ``plotting_scatter``, ``plotting_goals``) and are
imported here, which is where they belong to the public API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analys import reference, registry
from analys.chartstyle import (
    BAND,
    COLOUR_LABELS,
    COLOURS,
    FOCUS,
    JUDGED,
    NEUTRAL,
    PEERS,
    RIKET,
    STATUS_COLOURS,
    TARGET,
    TITLE_Y,
    add_watermark,
    annotate_source,
    hex_colours,
)
from analys.errors import ParamsError
from analys.format import difference_unit, number
from analys.fulfilment import STATUS_LABELS
from analys.plots.base import (
    by_municipality,
    end_label,
    finish,
    kpi_title,
    new_axes,
    no_data,
    peer_codes,
    place_legend,
    same_type,
    select,
    shared_legend,
    swedish_ticks,
    unit_word,
    value_text,
    year_text,
    year_ticks,
)
from analys.plots.goals import goal_status_chart, goal_status_table
from analys.plots.scatter import coefficient_chart, cost_chart, expected_chart
from analys.plots.spine import spine_chart
from analys.plots.units import tartan_rug, unit_chart, unit_trend_chart
from analys.stats import compare
from analys.stats.gender import gender_gaps

__all__ = [
    "COLOURS",
    "STATUS_COLOURS",
    "STATUS_LABELS",
    "add_watermark",
    "annotate_source",
    "coefficient_chart",
    "cost_chart",
    "expected_chart",
    "gender_gap_chart",
    "goal_status_chart",
    "goal_status_table",
    "drawn_bars",
    "ranking_chart",
    "spine_chart",
    "shared_legend",
    "tartan_rug",
    "trend_chart",
    "unit_chart",
    "unit_trend_chart",
]

PEER_MEDIAN_LABEL = "Jämförelsegruppens median"
BAND_LABEL = "25–75 %"


def _peer_summary(part: pd.DataFrame, peers: list[str]) -> pd.DataFrame:
    """Per year: the peers' median, Q1 and Q3 (numpy linear quantiles).

    Plain numpy on the year-sorted values: three times faster than a pandas group-by, and
    the trend explorer draws this on every change.
    """
    mask = part["municipality"].isin(peers).to_numpy() & part["value"].notna().to_numpy()
    years = part["year"].to_numpy()[mask]
    values = part["value"].to_numpy(dtype=float)[mask]
    order = np.argsort(years, kind="stable")
    years, values = years[order], values[order]
    unique, starts = np.unique(years, return_index=True)
    ends = np.r_[starts[1:], len(years)] if len(years) else starts
    q = np.array(
        [np.quantile(values[a:b], [0.25, 0.5, 0.75]) for a, b in zip(starts, ends, strict=True)]
    ).reshape(-1, 3)
    return pd.DataFrame(
        {"year": unique.astype(int), "q1": q[:, 0], "median": q[:, 1], "q3": q[:, 2]}
    )


def _series(part: pd.DataFrame, code: str) -> pd.Series:
    own = part[part["municipality"] == code].drop_duplicates("year")
    return own.set_index("year")["value"].sort_index().astype(float)


def _focus_line(
    ax: Axes, own: pd.Series, name: str, text: Callable[[float], str], *, bold: bool = False
) -> None:
    """The focus municipality's series, its last value written at the end; or, without any
    values, a note saying so."""
    if own.notna().any():
        ax.plot(own.index, own.values, color=FOCUS, lw=2.8, marker="o", ms=4, label=name)
        last = own.dropna()
        end_label(ax, last.index[-1], last.iloc[-1], text(last.iloc[-1]), bold=bold)
        return
    ax.text(
        0.5,
        0.95,
        f"Värden saknas för {name}",
        transform=ax.transAxes,
        ha="center",
        va="top",
        fontsize=9,
        color=FOCUS,
    )


def trend_chart(
    data: pd.DataFrame,
    *,
    kpi: str,
    municipality: str,
    peers: Sequence[str] = (),
    gender: str = "T",
    years: Iterable[int] | None = None,
    target: float | None = None,
    target_year: int | None = None,
    source: str = "demo",
    legend: str = "inside",
    title: str | None = None,
    preliminary: int | None = None,
    peers_label: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The municipality's values over time against its peers and Riket.

    Parameters
    ----------
    data : DataFrame
        A values frame holding the focus municipality, the peers and Riket.
    kpi : str
        The KPI id.
    municipality : str
        The focus municipality, drawn bold.
    peers : sequence of str
        Peer codes: their median per year is drawn with the interquartile band (numpy linear
        quantiles). The focus municipality is never its own peer.
    gender : {"T", "K", "M"}
    years : iterable of int, optional
        The years to show, e.g. ``range(2015, 2025)``; all years in ``data`` by default.
    target : float, optional
        A target level, drawn as a horizontal line ("Mål").
    target_year : int, optional
        The year the target should be reached, marked on the target line (or as a vertical
        line when there is no target level).
    source : {"demo", "kolada", "store"}
        Where the values come from, for the caption.
    legend : {"inside", "right", "none"}
        ``inside``: in the emptiest corner of the Axes; ``right``: outside to the right,
        leaving the Axes to the data (the explorers); ``none``: no legend, for a grid of
        panels that shares one (:func:`shared_legend`) – the target's value is then written
        on its line.
    title : str, optional
        The chart title; default the KPI's label (with the gender when not the total). A
        report passes the indicator's own label so that tables and charts say the same.
    preliminary : int, optional
        Kolada's preliminary year, written "2025*" on the year axis.
    peers_label : str, optional
        Names the peers in the legend: "Median, 7 liknande kommuner" (default
        "Jämförelsegruppens median").
    ax : Axes, optional
        Draw here; a new figure when ``None``.

    Returns
    -------
    Axes
        With a Swedish legend ("Örebro", "Jämförelsegruppens median", "25–75 %", "Riket",
        "Mål"). Without any values a message is written in the axes instead.
    """
    ax = new_axes(ax, (7, 4))
    name = reference.title(municipality)
    part = select(data, kpi=kpi, gender=gender, years=years)
    if part["value"].notna().sum() == 0:
        return no_data(ax, f"Inga värden för {registry.label(kpi)} ({name}).", source)
    peers = peer_codes(peers, municipality)
    band = _peer_summary(part, peers)
    if len(band):
        ax.fill_between(
            band["year"], band["q1"], band["q3"], color=BAND, alpha=0.8, label=BAND_LABEL, lw=0
        )
        ax.plot(band["year"], band["median"], color=PEERS, lw=1.8, label=_median(peers_label))
    if municipality != reference.RIKET:
        riket = _series(part, reference.RIKET).dropna()
        if len(riket):
            ax.plot(riket.index, riket.values, color=RIKET, lw=1.5, ls="--", label="Riket")
    unit = registry.unit(kpi)
    _focus_line(ax, _series(part, municipality), name, lambda v: value_text(v, unit), bold=True)
    _target(ax, target, target_year, unit, on_line=legend == "none")
    ax.set_title(title or kpi_title(kpi, gender), loc="left", y=TITLE_Y, fontsize=11)
    ax.set_ylabel(unit or "")
    ax.set_xlabel("År")
    year_ticks(ax.xaxis, preliminary)
    swedish_ticks(ax.yaxis)
    ax.grid(axis="y", color="#e0e0e0", lw=0.6)
    place_legend(ax, legend)
    return finish(ax, source, derived=bool(len(band)), kpis=(kpi,))


def _median(peers_label: str | None) -> str:
    return f"Median, {peers_label}" if peers_label else PEER_MEDIAN_LABEL


def _target(
    ax: Axes,
    target: float | None,
    target_year: int | None,
    unit: str | None,
    *,
    on_line: bool = False,
) -> None:
    """The target line (and target year); ``on_line`` also writes its value on the line."""
    if target is not None and not pd.isna(target):
        label = f"Mål {value_text(float(target), unit)}"
        if target_year is not None:
            label += f" ({int(target_year)})"
        ax.axhline(float(target), color=TARGET, lw=1.4, ls=":", label=label)
        if on_line:
            ax.annotate(
                label,
                xy=(0, float(target)),
                xycoords=("axes fraction", "data"),
                xytext=(3, 2),
                textcoords="offset points",
                va="bottom",
                fontsize=7,
                color=TARGET,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
            )
        if target_year is not None:
            ax.plot([int(target_year)], [float(target)], marker="*", ms=12, color=TARGET, ls="")
    elif target_year is not None:
        ax.axvline(int(target_year), color=TARGET, lw=1.4, ls=":", label=f"Målår {target_year}")


def _colours_for(values: pd.Series, municipality: str, polarity: str) -> pd.DataFrame:
    """Quartile colours over the comparison set of ``municipality`` (never Riket or groups)."""
    codes = same_type(municipality, values.index)
    return compare.quartile_colours(values.reindex(codes), polarity)


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
        kommuner" (regioner for a region). The bars are one collection (read them with :func:`drawn_bars`). Colours are
        :func:`analys.stats.compare.quartile_colours` computed over all municipalities of the same
        type (K or L; never Riket or groups), whichever bars are shown; Riket is a line.
    """
    polarity = polarity or registry.polarity(kpi)
    ax = new_axes(ax, (7, 4) if peers is None else (7, 0.8 + 0.3 * (len(peers) + 1)))
    name = reference.title(municipality)
    values = by_municipality(select(data, kpi=kpi, gender=gender, year=year))
    colours = _colours_for(values, municipality, polarity)
    shown = colours.dropna(subset=["rank"])
    if peers is not None:
        shown = shown.reindex(
            [c for c in [municipality, *peer_codes(peers, municipality)] if c in shown.index]
        )
    if shown.empty:
        return no_data(ax, f"Inga värden för {registry.label(kpi)} år {year}.", source)
    sign = registry.sign(polarity) or 1
    word = unit_word(municipality)
    count = int(colours["rank"].notna().sum())
    order = (-sign * values.reindex(shown.index)).sort_values(kind="stable").index
    heights = values.reindex(order).to_numpy()
    faces = [COLOURS[shown.loc[c, "colour"]] for c in order]
    unit = registry.unit(kpi)
    horizontal = peers is not None
    positions = np.arange(len(order))
    _draw_bars(ax, positions, heights, faces, list(order), municipality, horizontal)
    _riket_line(ax, values.get(reference.RIKET, np.nan), unit, horizontal)
    swedish_ticks(ax.xaxis if horizontal else ax.yaxis, bins=5 if horizontal else None)
    if horizontal:
        ax.set_yticks(positions, [reference.title(c) for c in order], fontsize=8)
        for tick, code in zip(ax.get_yticklabels(), order, strict=True):
            if code == municipality:
                tick.set_fontweight("bold")
        ax.invert_yaxis()
        ax.set_xlabel(unit or "")
    else:
        ax.set_xticks([])
        ax.set_xlim(-1, len(order))
        ax.set_ylabel(unit or "")
        ax.set_xlabel(_order_text(polarity, count, word))
    if municipality in order:
        rank = colours.loc[municipality, "rank"]
        at = int(np.flatnonzero(order == municipality)[0])
        place = f"plats {int(rank)} av {count} {word}"
        if polarity == "neutral":
            place = f"plats {int(rank)} av {count} {word} från högst till lägst"
        text = f"{value_text(values[municipality], unit)} ({place})"
        _focus_label(ax, at, len(order), float(values[municipality]), name, text, horizontal)
    else:
        ax.text(
            0.5,
            0.95,
            f"Värde saknas för {name}",
            transform=ax.transAxes,
            ha="center",
            va="top",
            fontsize=9,
            color=FOCUS,
        )
    handles = [Patch(facecolor="white", edgecolor=FOCUS, lw=2, label=name)]
    handles += [
        Patch(color=COLOURS[c], label=COLOUR_LABELS[c])
        for c in (*JUDGED, *NEUTRAL[:-1])
        if c in set(shown["colour"])
    ]
    handles += [h for h in ax.get_legend_handles_labels()[0] if isinstance(h, Line2D)]
    legend = ax.legend(
        handles=handles,
        fontsize=7,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        title=f"Färg: kvartil bland alla\n{count} {word} med värde",
        title_fontsize=7,
        alignment="left",
    )
    legend.set_gid("analys-ranking-legend")
    ax.set_title(
        f"{kpi_title(kpi, gender)}, {year_text(year, preliminary)}",
        loc="left",
        y=TITLE_Y,
        fontsize=11,
    )
    return finish(ax, source, derived=True, kpis=(kpi,))


BARS_GID = "analys-bars"
FOCUS_BAR_GID = "analys-focus-bar"


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
    focus bar's outline on top. :func:`drawn_bars` reads them back."""
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


def drawn_bars(ax: Axes) -> pd.DataFrame:
    """The bars of a :func:`ranking_chart`: face colour (hex) and value, indexed by code.

    Parameters
    ----------
    ax : Axes
        An Axes drawn by :func:`ranking_chart`.

    Returns
    -------
    DataFrame
        Columns ``colour`` and ``value``, index ``municipality``, in the order the bars are
        drawn (best first). The focus municipality's bar is also outlined (a collection with
        gid ``analys-focus-bar``).
    """
    for collection in ax.collections:
        if collection.get_gid() == BARS_GID:
            return pd.DataFrame(
                {
                    "colour": hex_colours(collection.get_facecolors()),
                    "value": collection.analys_values,
                },
                index=pd.Index(list(collection.analys_codes), name="municipality"),
            )
    raise ParamsError("Axes innehåller inget stapeldiagram från ranking_chart.")


def _order_text(polarity: str, count: int | None = None, word: str = "kommuner") -> str:
    """The x axis of the vertical ranking: which units, in which order."""
    who = f"Alla {count} {word} med värde" if count else word.capitalize()
    if polarity == "neutral":
        return f"{who}, sorterade från högst till lägst värde"
    return f"{who}, sorterade från bäst till sämst"


def _riket_line(ax: Axes, value: float, unit: str | None, horizontal: bool) -> None:
    if pd.isna(value):
        return
    line = ax.axvline if horizontal else ax.axhline
    line(float(value), color=RIKET, ls="--", lw=1.3, label=f"Riket {value_text(value, unit)}")


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
    ax.annotate(
        f"{name} {text}",
        xy=(at, value),
        xytext=(min(max((at + 1) / (count + 1), 0.22), 0.78), 0.95),
        textcoords="axes fraction",
        ha="center",
        va="top",
        fontsize=8,
        color=FOCUS,
        fontweight="bold",
        arrowprops={"arrowstyle": "->", "color": FOCUS, "lw": 1},
        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": FOCUS, "lw": 0.6},
    )


def gender_gap_chart(
    data: pd.DataFrame,
    *,
    kpi: str,
    municipality: str,
    peers: Sequence[str] = (),
    years: Iterable[int] | None = None,
    source: str = "demo",
    legend: str = "inside",
    title: str | None = None,
    preliminary: int | None = None,
    peers_label: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The gap between women and men (K − M) over time, against the peers and Riket.

    Parameters
    ----------
    data : DataFrame
        A values frame with ``K`` and ``M`` rows; gaps from
        :func:`analys.stats.gender.gender_gaps`.
    kpi : str
    municipality : str
        The focus municipality, drawn bold.
    peers : sequence of str
        Their median gap per year is drawn.
    years : iterable of int, optional
        The years to show; all by default.
    source : {"demo", "kolada", "store"}
    legend : {"inside", "right", "none"}
        As in :func:`trend_chart`.
    title, preliminary, peers_label
        As in :func:`trend_chart` (the title is followed by ": kvinnor − män").
    ax : Axes, optional

    Returns
    -------
    Axes
        Above zero women have the higher value.
    """
    ax = new_axes(ax, (7, 4))
    name = reference.title(municipality)
    part = data[data["kpi"] == kpi] if data is not None and "kpi" in data.columns else None
    if part is not None and years is not None:
        part = part[part["year"].isin([int(y) for y in years])]
    gaps = gender_gaps(part) if part is not None and len(part) else pd.DataFrame()
    if gaps.empty or gaps["gap"].notna().sum() == 0:
        return no_data(
            ax,
            f"{registry.label(kpi)} finns inte uppdelat på kvinnor och män för {name}.",
            source,
            derived=True,
        )
    gaps = gaps.rename(columns={"gap": "value"})[["municipality", "year", "value"]]
    gaps["municipality"] = gaps["municipality"].astype(str)
    band = _peer_summary(gaps, peer_codes(peers, municipality))
    if len(band):
        ax.plot(band["year"], band["median"], color=PEERS, lw=1.8, label=_median(peers_label))
    riket = _series(gaps, reference.RIKET).dropna()
    if len(riket) and municipality != reference.RIKET:
        ax.plot(riket.index, riket.values, color=RIKET, lw=1.5, ls="--", label="Riket")
    unit = difference_unit(registry.unit(kpi))
    _focus_line(
        ax, _series(gaps, municipality), name, lambda v: f"{'+' if v > 0 else ''}{number(v)}"
    )
    ax.axhline(0, color="black", lw=0.8)
    ax.set_ylabel(f"Kvinnor − män ({unit})" if unit else "Kvinnor − män")
    ax.set_xlabel("År")
    heading = f"{title or registry.label(kpi)}: kvinnor − män"
    ax.set_title(heading, loc="left", y=TITLE_Y, fontsize=11)
    year_ticks(ax.xaxis, preliminary)
    swedish_ticks(ax.yaxis)
    ax.grid(axis="y", color="#e0e0e0", lw=0.6)
    place_legend(ax, legend)
    return finish(ax, source, derived=True, kpis=(kpi,))
