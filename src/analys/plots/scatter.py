"""Scatter and coefficient charts: expected against actual, result against cost, drivers.

What a scatter shows is computed once, as :class:`Scatter` (:func:`expected_points`,
:func:`cost_points`), and drawn on a matplotlib Axes (:func:`draw_scatter`) or straight as
SVG (:mod:`analys.plots.svg_scatter`, for the reports).

Public through :mod:`analys.plots` (``expected_chart``, ``cost_chart``,
``coefficient_chart``). Methods M3 (expected values) and the driver regression of
:mod:`analys.stats.drivers`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from analys import reference, registry
from analys.chartstyle import COLOURS, FOCUS, PEERS, RIKET, TITLE_Y
from analys.format import number, year_text
from analys.plots.base import (
    axis_label,
    by_municipality,
    finish,
    new_axes,
    no_data,
    peer_codes,
    same_type,
    select,
    swedish_ticks,
    unit_word,
    wrap,
)
from analys.plots.labels import place_labels

#: the diagonal of an expected-values chart
DIAGONAL_LABEL = "Som förväntat (45°-linjen)"
PEERS_LABEL = "Jämförelsegrupp"


@dataclass(frozen=True)
class Scatter:
    """What a scatter of every municipality shows, whichever way it is drawn.

    ``x`` and ``y`` are indexed by code; ``peers`` and ``municipality`` are those of them
    highlighted and named (only codes with both values). A ``diagonal`` (low, high) is the
    45° line of expected values; ``medians`` (x, y) the quadrant lines of a cost chart.
    ``corners`` are the texts in the corners, at Axes fractions. ``message`` set means
    there is nothing to draw.
    """

    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    x: pd.Series | None = None
    y: pd.Series | None = None
    everyone: str = ""
    peers: tuple[str, ...] = ()
    municipality: str | None = None
    diagonal: tuple[float, float] | None = None
    medians: tuple[float, float] | None = None
    corners: tuple[tuple[float, float, str], ...] = ()
    italic: bool = False
    invert_y: bool = False
    legend: str = "inside"
    derived: bool = True
    message: str | None = None

    @property
    def name(self) -> str | None:
        return reference.title(self.municipality) if self.municipality else None

    def labels(self) -> list[tuple[float, float, str, str, bool]]:
        """The names written beside the points, the focus municipality first:
        ``(x, y, text, colour, bold)``."""
        labels = [(self.x[c], self.y[c], reference.title(c), PEERS, False) for c in self.peers]
        if self.municipality:
            m = self.municipality
            labels.insert(0, (self.x[m], self.y[m], self.name, FOCUS, True))
        return labels


def _highlighted(
    x: pd.Series, y: pd.Series, municipality: str | None, peers: list[str]
) -> dict[str, object]:
    """The peers and the focus municipality that have both values."""
    has = set(x.index[x.notna().to_numpy() & y.reindex(x.index).notna().to_numpy()])
    return {
        "peers": tuple(p for p in peers if p in has),
        "municipality": municipality if municipality in has else None,
    }


def expected_points(
    table: pd.DataFrame,
    *,
    municipality: str | None = None,
    peers: Sequence[str] = (),
    kpi: str | None = None,
) -> Scatter:
    """What :func:`expected_chart` draws (its parameters, without the drawing ones)."""
    if table is None or len(table) == 0 or table[["actual", "expected"]].dropna().empty:
        return Scatter(
            message=f"Inga {unit_word(municipality)} med fullständiga data för modellen."
        )
    frame = table[["actual", "expected"]].astype(float).dropna()
    frame.index = frame.index.astype(str)
    above, below = _sides(registry.polarity(kpi) if kpi else "higher")
    unit = f" ({registry.unit(kpi)})" if kpi and registry.unit(kpi) else ""
    title = f"{registry.label(kpi)}: faktiskt mot förväntat" if kpi else "Faktiskt mot förväntat"
    return Scatter(
        title=title,
        xlabel=f"Förväntat värde{unit}",
        ylabel=f"Faktiskt värde{unit}",
        x=frame["expected"],
        y=frame["actual"],
        everyone=f"Alla {unit_word(frame.index)}",
        diagonal=(float(min(frame.min())), float(max(frame.max()))),
        corners=((0.03, 0.97, above), (0.97, 0.03, below)),
        **_highlighted(
            frame["expected"], frame["actual"], municipality, peer_codes(peers, municipality)
        ),
    )


def cost_points(
    data: pd.DataFrame,
    *,
    result_kpi: str,
    cost_kpi: str,
    year: int,
    municipality: str,
    peers: Sequence[str] = (),
    gender: str = "T",
    preliminary: int | None = None,
) -> Scatter:
    """What :func:`cost_chart` draws (its parameters, without the drawing ones)."""
    result = by_municipality(select(data, kpi=result_kpi, gender=gender, year=year))
    cost_part = select(data, kpi=cost_kpi, gender=gender, year=year)
    if cost_part["value"].notna().sum() == 0:
        cost_part = select(data, kpi=cost_kpi, gender="T", year=year)
    cost = by_municipality(cost_part)
    both = pd.concat([cost.rename("cost"), result.rename("result")], axis=1).dropna()
    both = both.reindex(same_type(municipality, both.index))
    if both.empty:
        return Scatter(
            derived=False,
            message=f"Inga {unit_word(municipality)} har både {registry.label(result_kpi)} och "
            f"{registry.label(cost_kpi)} år {year}.",
        )
    polarity = registry.polarity(result_kpi)
    good, poor = {
        "lower": ("Bättre resultat", "Sämre resultat"),
        "neutral": ("Högt värde", "Lågt värde"),
    }.get(polarity, ("Högt resultat", "Lågt resultat"))
    return Scatter(
        title=f"Resultat och kostnad {year_text(year, preliminary)}",
        xlabel=axis_label(cost_kpi),
        ylabel=axis_label(result_kpi),
        x=both["cost"],
        y=both["result"],
        everyone=f"Alla {unit_word(municipality)}",
        medians=(float(both["cost"].median()), float(both["result"].median())),
        corners=(
            (0.02, 0.98, f"{good}, låg kostnad"),
            (0.98, 0.98, f"{good}, hög kostnad"),
            (0.02, 0.02, f"{poor}, låg kostnad"),
            (0.98, 0.02, f"{poor}, hög kostnad"),
        ),
        italic=True,
        invert_y=polarity == "lower",
        legend="right",
        **_highlighted(both["cost"], both["result"], municipality, peer_codes(peers, municipality)),
    )


def draw_scatter(ax: Axes, scatter: Scatter, *, source: str) -> Axes:
    """Draw ``scatter`` on ``ax``."""
    if scatter.message is not None:
        return no_data(ax, scatter.message, source, derived=scatter.derived)
    ax.scatter(
        scatter.x, scatter.y, s=14, color=COLOURS["grey"], alpha=0.8, lw=0, label=scatter.everyone
    )
    if scatter.diagonal is not None:
        low, high = scatter.diagonal
        ax.plot([low, high], [low, high], color=RIKET, ls="--", lw=1.2, label=DIAGONAL_LABEL)
    if scatter.medians is not None:
        ax.axvline(scatter.medians[0], color=RIKET, lw=1, ls="--")
        ax.axhline(scatter.medians[1], color=RIKET, lw=1, ls="--", label="Median")
    if scatter.peers:
        peers = list(scatter.peers)
        ax.scatter(
            scatter.x[peers],
            scatter.y[peers],
            s=28,
            color=PEERS,
            edgecolor="white",
            lw=0.5,
            zorder=4,
            label=PEERS_LABEL,
        )
    if scatter.municipality:
        m = scatter.municipality
        ax.scatter(
            [scatter.x[m]],
            [scatter.y[m]],
            s=70,
            color=FOCUS,
            edgecolor="white",
            lw=0.8,
            zorder=5,
            label=scatter.name,
        )
    if scatter.invert_y:
        ax.invert_yaxis()
    for x, y, text in scatter.corners:
        ax.text(
            x,
            y,
            text,
            transform=ax.transAxes,
            ha="left" if x < 0.5 else "right",
            va="top" if y > 0.5 else "bottom",
            fontsize=8,
            color=RIKET,
            style="italic" if scatter.italic else "normal",
        )
    ax.set_xlabel(scatter.xlabel)
    ax.set_ylabel(scatter.ylabel)
    ax.set_title(scatter.title, loc="left", y=TITLE_Y, fontsize=11)
    swedish_ticks(ax.xaxis)
    swedish_ticks(ax.yaxis)
    if scatter.legend == "right":
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    else:
        ax.legend(fontsize=7, frameon=False, loc="lower right", bbox_to_anchor=(1, 0.06))
    place_labels(ax, scatter.labels())
    return finish(ax, source, derived=scatter.derived)


def expected_chart(
    table: pd.DataFrame,
    *,
    municipality: str | None = None,
    peers: Sequence[str] = (),
    kpi: str | None = None,
    source: str = "demo",
    ax: Axes | None = None,
) -> Axes:
    """Expected against actual values, the focus municipality and peers named.

    The method is docs/methods.md#expected-values.

    Parameters
    ----------
    table : DataFrame
        ``ExpectedValues.table`` from :func:`analys.stats.model.expected_values`: indexed by
        municipality with columns ``actual`` and ``expected``.
    municipality : str, optional
        The focus municipality.
    peers : sequence of str
        Peers to highlight and name.
    kpi : str, optional
        The outcome KPI, for axis labels, units and which side of the 45° line is better.
    source : {"demo", "kolada", "store"}
    ax : Axes, optional

    Returns
    -------
    Axes
        Points above the 45° line did better than expected when higher is better.
    """
    points = expected_points(table, municipality=municipality, peers=peers, kpi=kpi)
    return draw_scatter(new_axes(ax, (6, 5)), points, source=source)


def _sides(polarity: str) -> tuple[str, str]:
    if polarity == "lower":
        return "Sämre än förväntat", "Bättre än förväntat"
    if polarity == "neutral":
        return "Högre än förväntat", "Lägre än förväntat"
    return "Bättre än förväntat", "Sämre än förväntat"


def cost_chart(
    data: pd.DataFrame,
    *,
    result_kpi: str,
    cost_kpi: str,
    year: int,
    municipality: str,
    peers: Sequence[str] = (),
    gender: str = "T",
    source: str = "demo",
    preliminary: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Result against cost ("fyrfältsdiagram") for all municipalities of the same type.

    Parameters
    ----------
    data : DataFrame
        A values frame with both KPIs.
    result_kpi, cost_kpi : str
        The result (y) and the cost (x). The cost is taken for ``gender`` when it is split
        by gender, else the total.
    year : int
    municipality : str
        The focus municipality, named.
    peers : sequence of str
        Peers to highlight and name.
    gender : {"T", "K", "M"}
    source : {"demo", "kolada", "store"}
    preliminary : int, optional
        Kolada's preliminary year: written "2025*" where the chart names it.
    ax : Axes, optional

    Returns
    -------
    Axes
        Quadrant lines at the medians of the municipalities drawn, Swedish quadrant captions
        ("Högt resultat, låg kostnad" …). When lower results are better the result axis is
        turned so that better results are on top.
    """
    points = cost_points(
        data,
        result_kpi=result_kpi,
        cost_kpi=cost_kpi,
        year=year,
        municipality=municipality,
        peers=peers,
        gender=gender,
        preliminary=preliminary,
    )
    return draw_scatter(new_axes(ax, (6.5, 5)), points, source=source)


def coefficient_chart(
    coefficients: pd.DataFrame,
    *,
    standardised: bool = True,
    source: str = "demo",
    ax: Axes | None = None,
) -> Axes:
    """Coefficients with 95 % confidence intervals, one row per explanatory KPI.

    Parameters
    ----------
    coefficients : DataFrame
        ``DriverResult.coefficients`` from :func:`analys.stats.drivers.drivers` (or
        ``PanelResult.coefficients``): columns ``kpi``, ``coef``, ``ci_low``, ``ci_high``
        and, for standardised coefficients, ``beta``, ``beta_ci_low``, ``beta_ci_high``.
    standardised : bool
        Draw ``beta`` (standard deviations of the outcome per standard deviation of the
        KPI); falls back to ``coef`` when the frame has no standardised coefficients.
    source : {"demo", "kolada", "store"}
    ax : Axes, optional

    Returns
    -------
    Axes
        Intervals not crossing zero are drawn dark, the others grey.
    """
    frame = coefficients if coefficients is not None else pd.DataFrame()
    ax = new_axes(ax, (6.5, 1.2 + 0.45 * max(len(frame), 1)))
    columns = ("beta", "beta_ci_low", "beta_ci_high")
    use_beta = standardised and set(columns) <= set(frame.columns) and frame["beta"].notna().any()
    if not use_beta:
        columns = ("coef", "ci_low", "ci_high")
    if frame.empty or not set(columns) <= set(frame.columns) or frame[columns[0]].isna().all():
        return no_data(ax, "Inga koefficienter att visa.", source, derived=True)
    estimate, low, high = (frame[c].astype(float).to_numpy() for c in columns)
    rows = np.arange(len(frame))
    clear = (low > 0) | (high < 0)
    for row, est, lo, hi, strong in zip(rows, estimate, low, high, clear, strict=True):
        colour = FOCUS if strong else COLOURS["grey"]
        ax.plot([lo, hi], [row, row], color=colour, lw=2.2, solid_capstyle="butt")
        ax.plot(est, row, marker="o", ms=7, color=colour, mec="white")
        ax.annotate(
            number(est, 2),
            xy=(est, row),
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            fontsize=7,
            color=colour,
        )
    ax.axvline(0, color=RIKET, lw=1)
    ax.set_yticks(rows, [wrap(registry.label(str(k)), 28) for k in frame["kpi"]], fontsize=8)
    ax.set_ylim(len(frame) - 0.5, -0.7)
    ax.set_xlabel(
        "Standardiserad koefficient (standardavvikelser)"
        if use_beta
        else "Koefficient (förändring i utfallet per enhet)"
    )
    ax.set_title(
        "Samband med utfallet, 95 % konfidensintervall", loc="left", y=TITLE_Y, fontsize=11
    )
    swedish_ticks(ax.xaxis)
    ax.legend(
        handles=[
            Line2D([], [], color=FOCUS, lw=2.2, marker="o", label="Skilt från noll"),
            Line2D([], [], color=COLOURS["grey"], lw=2.2, marker="o", label="Inte skilt från noll"),
        ],
        fontsize=7,
        frameon=False,
        loc="best",
    )
    return finish(ax, source, derived=True)
