"""Lines over time: a KPI against the peers and Riket, and the gap between women and men.

Both charts draw the focus municipality bold, the peers' median with the interquartile band
(numpy linear quantiles) and Riket dashed, and follow :mod:`analys.plots`' conventions
(tidy ``data``, keyword selections, ``ax``, the Axes returned).

What a panel shows is computed once, as :class:`TrendLines` (:func:`trend_lines`,
:func:`gap_lines`), and drawn either on a matplotlib Axes (:func:`trend_chart`,
:func:`gender_gap_chart`, for notebooks and the explorers) or straight as SVG
(:mod:`analys.plots.svg_trend`, for the reports' grids): both say the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from analys import reference, registry
from analys.chartstyle import BAND, FOCUS, PEERS, RIKET, TARGET, TITLE_Y
from analys.format import difference_unit, number, year_text
from analys.frame import memo_held, reused
from analys.plots.base import (
    finish,
    kpi_title,
    latest_year,
    new_axes,
    no_data,
    peer_codes,
    place_legend,
    select,
    swedish_ticks,
    value_text,
    wrap,
    year_ticks,
)
from analys.plots.labels import end_label
from analys.stats.gender import gender_gaps

PEER_MEDIAN_LABEL = "Jämförelsegruppens median"
BAND_LABEL = "25–75 %"
RIKET_LABEL = "Riket"


@dataclass(frozen=True)
class TrendLines:
    """What one trend or gender-gap panel shows, whichever way it is drawn.

    ``message`` set means there is nothing to draw: the panel writes it instead. ``band``
    holds the peers' ``year``, ``q1``, ``median`` and ``q3`` (``fill_band``: the
    interquartile band is drawn, not only the median); ``own`` is the focus municipality's
    series, ``end`` its last point and the text written there. ``zero`` draws the zero line
    of a gap.
    """

    kpi: str
    title: str = ""
    ylabel: str = ""
    name: str = ""
    band: pd.DataFrame | None = None
    fill_band: bool = True
    median_label: str = PEER_MEDIAN_LABEL
    riket: pd.Series | None = None
    own: pd.Series | None = None
    end: tuple[int, float, str] | None = None
    bold: bool = False
    target: float | None = None
    target_year: int | None = None
    target_label: str | None = None
    zero: bool = False
    latest: int | None = None
    preliminary: int | None = None
    derived: bool = False
    message: str | None = None

    @property
    def has_band(self) -> bool:
        return self.band is not None and len(self.band) > 0

    @property
    def has_riket(self) -> bool:
        return self.riket is not None and len(self.riket) > 0

    @property
    def has_own(self) -> bool:
        return self.own is not None and bool(self.own.notna().any())

    @property
    def missing_own(self) -> str:
        """The note written in a panel whose municipality has no values."""
        return f"Värden saknas för {self.name}"

    def legend(self) -> list[tuple[str, str]]:
        """The panel's legend entries in drawing order: ``(kind, label)``, kind one of
        ``band``, ``median``, ``riket``, ``own`` and ``target``."""
        entries = []
        if self.has_band:
            if self.fill_band:
                entries.append(("band", BAND_LABEL))
            entries.append(("median", self.median_label))
        if self.has_riket:
            entries.append(("riket", RIKET_LABEL))
        if self.has_own:
            entries.append(("own", self.name))
        if self.target_label:
            entries.append(("target", self.target_label))
        return entries


def _peer_summary(part: pd.DataFrame, peers: list[str]) -> pd.DataFrame:
    """Per year: the peers' median, Q1 and Q3 (numpy linear quantiles).

    Plain numpy on the year-sorted values: three times faster than a pandas group-by, and
    the trend explorer draws this on every change.
    """
    if memo_held():  # the peers' rows from the part's rows by code, kept for the batch
        found = [p for p in map(_code_rows(part).get, dict.fromkeys(peers)) if p is not None]
        rows = np.sort(np.concatenate(found)) if found else np.array([], dtype=np.intp)
        all_years, all_values = _year_values(part)
        values = all_values[rows]
        present = ~np.isnan(values)
        years, values = all_years[rows][present], values[present]
    else:
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
    """``code``'s values by year (the first row of a year that repeats), sorted by year."""
    rows = _code_rows(part).get(code) if memo_held() else None
    if rows is None:  # no batch (or no rows): a filter of the part
        own = part[part["municipality"] == code].drop_duplicates("year")
        return own.set_index("year")["value"].sort_index().astype(float)
    # a batch: the code's rows are kept for every report, read as arrays
    years, values = _year_values(part)
    years, values = years[rows], values[rows]
    shown, first = np.unique(years, return_index=True)  # sorted; a year's first row
    index = pd.Index(shown, dtype=part["year"].dtype, name="year")
    return pd.Series(values[first], index=index, name="value", dtype=float)


@reused
def _year_values(part: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The part's years and values as arrays (kept per frame while a memo is held)."""
    return part["year"].to_numpy(), part["value"].to_numpy(dtype=float)


@reused
def _code_rows(part: pd.DataFrame) -> dict[str, np.ndarray]:
    """The positions of each code's rows in ``part``, in order (kept per frame while
    :func:`analys.frame.reusing` holds a memo)."""
    return {str(k): v for k, v in part.groupby("municipality", sort=False).indices.items()}


def _end(own: pd.Series, words, latest: int | None, preliminary: int | None):
    """The focus series' last point and its label: the value, with its year when that is
    older than the chart's ``latest`` year (others have the report year, the municipality
    not yet), "219,0 poäng (2024)", so it is not read as the current value."""
    last = own.dropna()
    if not len(last):
        return None
    year, value = int(last.index[-1]), float(last.iloc[-1])
    text = words(value)
    if latest is not None and year < latest:
        text += f" ({year_text(year, preliminary)})"
    return year, value, text


def _target_label(target: float | None, target_year: int | None, unit: str | None):
    if target is not None and not pd.isna(target):
        label = f"Mål {value_text(float(target), unit)}"
        return f"{label} ({int(target_year)})" if target_year is not None else label
    if target_year is not None:
        return f"Målår {target_year}"
    return None


def trend_lines(
    data: pd.DataFrame,
    *,
    kpi: str,
    municipality: str,
    peers: Sequence[str] = (),
    gender: str = "T",
    years: Iterable[int] | None = None,
    target: float | None = None,
    target_year: int | None = None,
    title: str | None = None,
    preliminary: int | None = None,
    peers_label: str | None = None,
) -> TrendLines:
    """What :func:`trend_chart` draws (its parameters, without the drawing ones)."""
    name = reference.title(municipality)
    part = select(data, kpi=kpi, gender=gender, years=years)
    empty = TrendLines(kpi=kpi, message=f"Inga värden för {registry.label(kpi)} ({name}).")
    if part["value"].notna().sum() == 0:
        return empty
    band = _peer_summary(part, peer_codes(peers, municipality))
    own = _series(part, municipality)
    riket = _series(part, reference.RIKET).dropna() if municipality != reference.RIKET else None
    if not own.notna().any() and not len(band) and (riket is None or not len(riket)):
        # values only for others (e.g. an own indicator of another municipality): nothing
        # to draw here, and an empty 0–1 grid would look like a broken chart
        return empty
    unit = registry.unit(kpi)
    latest = latest_year(part)
    if target is not None and pd.isna(target):
        target = None
    return TrendLines(
        kpi=kpi,
        title=title or kpi_title(kpi, gender),
        ylabel=unit or "",
        name=name,
        band=band,
        median_label=_median(peers_label),
        riket=riket,
        own=own,
        end=_end(own, lambda v: value_text(v, unit), latest, preliminary),
        bold=True,
        target=None if target is None else float(target),
        target_year=None if target_year is None else int(target_year),
        target_label=_target_label(target, target_year, unit),
        latest=latest,
        preliminary=preliminary,
        derived=bool(len(band)),
    )


@reused
def _gap_values(gaps: pd.DataFrame) -> pd.DataFrame:
    """:func:`gender_gaps`' frame as a values part (code, year, value) for the lines (kept
    per frame while :func:`analys.frame.reusing` holds a memo: a batch's shared gaps)."""
    gaps = gaps.rename(columns={"gap": "value"})[["municipality", "year", "value"]]
    gaps["municipality"] = gaps["municipality"].astype(str)
    return gaps


def gap_lines(
    data: pd.DataFrame,
    *,
    kpi: str,
    municipality: str,
    peers: Sequence[str] = (),
    years: Iterable[int] | None = None,
    title: str | None = None,
    preliminary: int | None = None,
    peers_label: str | None = None,
    gaps: pd.DataFrame | None = None,
) -> TrendLines:
    """What :func:`gender_gap_chart` draws (its parameters, without the drawing ones).

    ``gaps`` is :func:`analys.stats.gender.gender_gaps` of ``data``'s rows of ``kpi`` in
    ``years`` when the caller has it (a batch's shared tables)."""
    name = reference.title(municipality)
    women, men = registry.gender_gap_words(kpi)
    if gaps is None:
        part = data[data["kpi"] == kpi] if data is not None and "kpi" in data.columns else None
        if part is not None and years is not None:
            part = part[part["year"].isin([int(y) for y in years])]
        gaps = gender_gaps(part) if part is not None and len(part) else pd.DataFrame()
    if gaps.empty or gaps["gap"].notna().sum() == 0:
        message = f"{registry.label(kpi)} finns inte uppdelat på {women} och {men} för {name}."
        return TrendLines(kpi=kpi, derived=True, message=message)
    gaps = _gap_values(gaps)
    riket = _series(gaps, reference.RIKET).dropna()
    own = _series(gaps, municipality)
    latest = latest_year(gaps)
    unit = difference_unit(registry.unit(kpi))
    gap = f"{women.capitalize()} − {men}"
    return TrendLines(
        kpi=kpi,
        title=wrap(f"{title or registry.label(kpi)}: {women} − {men}", 48),  # a grid's panel
        ylabel=f"{gap} ({unit})" if unit else gap,
        name=name,
        band=_peer_summary(gaps, peer_codes(peers, municipality)),
        fill_band=False,
        median_label=_median(peers_label),
        riket=riket if municipality != reference.RIKET else None,
        own=own,
        end=_end(own, lambda v: f"{'+' if v > 0 else ''}{number(v)}", latest, preliminary),
        zero=True,
        latest=latest,
        preliminary=preliminary,
        derived=True,
    )


def draw_lines(ax: Axes, lines: TrendLines, *, source: str, legend: str) -> Axes:
    """Draw ``lines`` on ``ax`` (see :func:`trend_chart` for ``source`` and ``legend``)."""
    if lines.message is not None:
        return no_data(ax, lines.message, source, derived=lines.derived)
    if lines.has_band:
        band = lines.band
        if lines.fill_band:
            ax.fill_between(
                band["year"], band["q1"], band["q3"], color=BAND, alpha=0.8, label=BAND_LABEL, lw=0
            )
        ax.plot(band["year"], band["median"], color=PEERS, lw=1.8, label=lines.median_label)
    if lines.has_riket:
        riket = lines.riket
        ax.plot(riket.index, riket.values, color=RIKET, lw=1.5, ls="--", label=RIKET_LABEL)
    _focus_line(ax, lines)
    _target(ax, lines, on_line=legend == "none")
    if lines.zero:
        ax.axhline(0, color="black", lw=0.8)
    ax.set_title(lines.title, loc="left", y=TITLE_Y, fontsize=11)
    ax.set_ylabel(lines.ylabel)
    ax.set_xlabel("År")
    year_ticks(ax.xaxis, lines.preliminary, lines.latest)
    swedish_ticks(ax.yaxis)
    ax.grid(axis="y", color="#e0e0e0", lw=0.6)
    place_legend(ax, legend)
    return finish(ax, source, derived=lines.derived, kpis=(lines.kpi,))


def _focus_line(ax: Axes, lines: TrendLines) -> None:
    """The focus municipality's series, its last value written at the end; or, without any
    values, a note saying so."""
    if lines.has_own:
        own = lines.own
        (line,) = ax.plot(
            own.index, own.values, color=FOCUS, lw=2.8, marker="o", ms=4, label=lines.name
        )
        year, value, text = lines.end
        end_label(ax, year, value, text, bold=lines.bold, line=line)
        return
    ax.text(
        0.5,
        0.95,
        lines.missing_own,
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
        "Mål") and the municipality's last value at the end of its line, with its year when
        others have a later one ("219,0 poäng (2024)"). Without any values a message is
        written in the axes instead.
    """
    lines = trend_lines(
        data,
        kpi=kpi,
        municipality=municipality,
        peers=peers,
        gender=gender,
        years=years,
        target=target,
        target_year=target_year,
        title=title,
        preliminary=preliminary,
        peers_label=peers_label,
    )
    return draw_lines(new_axes(ax, (7, 4)), lines, source=source, legend=legend)


def _median(peers_label: str | None) -> str:
    return f"Median, {peers_label}" if peers_label else PEER_MEDIAN_LABEL


def _target(ax: Axes, lines: TrendLines, *, on_line: bool = False) -> None:
    """The target line (and target year); ``on_line`` also writes its label on the line."""
    target, target_year, label = lines.target, lines.target_year, lines.target_label
    if target is not None:
        ax.axhline(target, color=TARGET, lw=1.4, ls=":", label=label)
        if on_line:
            # above the line, or below it when the line runs along the top of the Axes (the
            # label would cross the frame)
            low, high = ax.get_ylim()
            below = target > low + 0.85 * (high - low)
            ax.annotate(
                label,
                xy=(0, target),
                xycoords=("axes fraction", "data"),
                xytext=(3, -2 if below else 2),
                textcoords="offset points",
                va="top" if below else "bottom",
                fontsize=7,
                color=TARGET,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
            )
        if target_year is not None:
            ax.plot([target_year], [target], marker="*", ms=12, color=TARGET, ls="")
    elif target_year is not None:
        ax.axvline(target_year, color=TARGET, lw=1.4, ls=":", label=label)


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
        As in :func:`trend_chart` (the title is followed by ": kvinnor − män", or
        ": flickor − pojkar" for a KPI about children).
    ax : Axes, optional

    Returns
    -------
    Axes
        Above zero women have the higher value.
    """
    lines = gap_lines(
        data,
        kpi=kpi,
        municipality=municipality,
        peers=peers,
        years=years,
        title=title,
        preliminary=preliminary,
        peers_label=peers_label,
    )
    return draw_lines(new_axes(ax, (7, 4)), lines, source=source, legend=legend)
