"""Scatter and coefficient charts: expected against actual, result against cost, drivers.

Public through :mod:`analys.plots` (``expected_chart``, ``cost_chart``,
``coefficient_chart``). Methods M3 (expected values) and the driver regression of
:mod:`analys.stats.drivers`.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def _highlight(
    ax: Axes, x: pd.Series, y: pd.Series, municipality: str | None, peers: list[str]
) -> list[tuple[float, float, str, str, bool]]:
    """Draw the peers and the focus municipality over a scatter of all; return their labels."""
    labels = []
    theirs = [p for p in peers if p in x.index and not pd.isna(x[p]) and not pd.isna(y[p])]
    if theirs:
        ax.scatter(
            x[theirs],
            y[theirs],
            s=28,
            color=PEERS,
            edgecolor="white",
            lw=0.5,
            zorder=4,
            label="Jämförelsegrupp",
        )
        labels = [(x[c], y[c], reference.title(c), PEERS, False) for c in theirs]
    if municipality and municipality in x.index and not pd.isna(x[municipality]):
        name = reference.title(municipality)
        ax.scatter(
            [x[municipality]],
            [y[municipality]],
            s=70,
            color=FOCUS,
            edgecolor="white",
            lw=0.8,
            zorder=5,
            label=name,
        )
        labels.insert(0, (x[municipality], y[municipality], name, FOCUS, True))
    return labels


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
    ax = new_axes(ax, (6, 5))
    if table is None or len(table) == 0 or table[["actual", "expected"]].dropna().empty:
        return no_data(
            ax,
            f"Inga {unit_word(municipality)} med fullständiga data för modellen.",
            source,
            derived=True,
        )
    frame = table[["actual", "expected"]].astype(float).dropna()
    frame.index = frame.index.astype(str)
    ax.scatter(
        frame["expected"],
        frame["actual"],
        s=14,
        color=COLOURS["grey"],
        alpha=0.8,
        lw=0,
        label=f"Alla {unit_word(frame.index)}",
    )
    low = float(min(frame.min()))
    high = float(max(frame.max()))
    ax.plot(
        [low, high], [low, high], color=RIKET, ls="--", lw=1.2, label="Som förväntat (45°-linjen)"
    )
    labels = _highlight(
        ax, frame["expected"], frame["actual"], municipality, peer_codes(peers, municipality)
    )
    above, below = _sides(registry.polarity(kpi) if kpi else "higher")
    ax.text(0.03, 0.97, above, transform=ax.transAxes, va="top", fontsize=8, color=RIKET)
    ax.text(0.97, 0.03, below, transform=ax.transAxes, ha="right", fontsize=8, color=RIKET)
    unit = f" ({registry.unit(kpi)})" if kpi and registry.unit(kpi) else ""
    ax.set_xlabel(f"Förväntat värde{unit}")
    ax.set_ylabel(f"Faktiskt värde{unit}")
    title = f"{registry.label(kpi)}: faktiskt mot förväntat" if kpi else "Faktiskt mot förväntat"
    ax.set_title(title, loc="left", y=TITLE_Y, fontsize=11)
    swedish_ticks(ax.xaxis)
    swedish_ticks(ax.yaxis)
    ax.legend(fontsize=7, frameon=False, loc="lower right", bbox_to_anchor=(1, 0.06))
    place_labels(ax, labels)
    return finish(ax, source, derived=True)


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
    ax = new_axes(ax, (6.5, 5))
    result = by_municipality(select(data, kpi=result_kpi, gender=gender, year=year))
    cost_part = select(data, kpi=cost_kpi, gender=gender, year=year)
    if cost_part["value"].notna().sum() == 0:
        cost_part = select(data, kpi=cost_kpi, gender="T", year=year)
    cost = by_municipality(cost_part)
    both = pd.concat([cost.rename("cost"), result.rename("result")], axis=1).dropna()
    both = both.reindex(same_type(municipality, both.index))
    if both.empty:
        return no_data(
            ax,
            f"Inga {unit_word(municipality)} har både {registry.label(result_kpi)} och "
            f"{registry.label(cost_kpi)} år {year}.",
            source,
        )
    ax.scatter(
        both["cost"],
        both["result"],
        s=14,
        color=COLOURS["grey"],
        alpha=0.8,
        lw=0,
        label=f"Alla {unit_word(municipality)}",
    )
    cost_median = float(both["cost"].median())
    result_median = float(both["result"].median())
    ax.axvline(cost_median, color=RIKET, lw=1, ls="--")
    ax.axhline(result_median, color=RIKET, lw=1, ls="--", label="Median")
    labels = _highlight(
        ax, both["cost"], both["result"], municipality, peer_codes(peers, municipality)
    )
    polarity = registry.polarity(result_kpi)
    if polarity == "lower":
        ax.invert_yaxis()
    good, poor = {
        "lower": ("Bättre resultat", "Sämre resultat"),
        "neutral": ("Högt värde", "Lågt värde"),
    }.get(polarity, ("Högt resultat", "Lågt resultat"))
    for (x, y), text in {
        (0.02, 0.98): f"{good}, låg kostnad",
        (0.98, 0.98): f"{good}, hög kostnad",
        (0.02, 0.02): f"{poor}, låg kostnad",
        (0.98, 0.02): f"{poor}, hög kostnad",
    }.items():
        ax.text(
            x,
            y,
            text,
            transform=ax.transAxes,
            ha="left" if x < 0.5 else "right",
            va="top" if y > 0.5 else "bottom",
            fontsize=8,
            color=RIKET,
            style="italic",
        )
    ax.set_xlabel(axis_label(cost_kpi))
    ax.set_ylabel(axis_label(result_kpi))
    ax.set_title(
        f"Resultat och kostnad {year_text(year, preliminary)}", loc="left", y=TITLE_Y, fontsize=11
    )
    swedish_ticks(ax.xaxis)
    swedish_ticks(ax.yaxis)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    place_labels(ax, labels)
    return finish(ax, source, derived=True)


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
